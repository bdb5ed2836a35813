"""django.contrib.staticfiles, minus the front-end sources that are never served."""

from django.contrib.staticfiles.apps import StaticFilesConfig


class PeerLearnStaticFilesConfig(StaticFilesConfig):
    # static/src/css/app.css is Tailwind's input, built into static/dist/app.css; its font URLs are
    # relative to dist/, so the manifest step of collectstatic (production) cannot resolve them
    # from src/ (room.css beside it is served as it is). The JS unit tests and the npm manifest are
    # not served either.
    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "src/css/app.css", "src/js/tests/*", "src/js/package.json"]
