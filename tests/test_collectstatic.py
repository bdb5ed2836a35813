"""The production deploy step: collectstatic with the hashed-manifest storage must succeed (it
refuses any CSS/JS reference to a file that is not shipped, e.g. a source map or a font path that
only resolves from the built CSS)."""

from pathlib import Path

from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_the_manifest_storage(tmp_path: Path) -> None:
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert '"dist/app.css"' in manifest and '"vendor/chart.umd.min.js"' in manifest
    assert '"src/js/room/room.js"' in manifest and '"src/css/room.css"' in manifest  # the room's own
    assert not (tmp_path / "src" / "css" / "app.css").exists()  # Tailwind's input is never served
