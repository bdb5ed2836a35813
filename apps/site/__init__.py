"""The public site and the pages that compose many apps: landing, help, the catalogue (search,
session detail, mentors), the mentor's session pages, the learner's bookings and cart, and the
demo data (``seed_demo``). The top layer: it may call any app below; nothing imports it."""
