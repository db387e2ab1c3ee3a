"""Google Health API v4 (Fitbit data since the legacy Fitbit Web API was shut down) + Google OAuth.

``create_app(profile, seed, clock, scale=1)`` returns a ``HealthApp`` (see ``app.py``; ``scale``
multiplies the profile's days of history) serving, on one loopback origin, the Health API paths
under ``/v4/``, the token endpoint ``/token`` and the authorization endpoint
``/o/oauth2/v2/auth``. ``app.env(url)`` gives the ``SOURCES__FITBIT__*``
variables that point the pipeline at it (base and token URLs, authorization URL, client id
and secret, a valid refresh token).

Ground truth (``app.data``, a ``HealthData``; only what the device has synced by the
sandbox clock's "now" counts):
- ``truth_sleep_sessions()`` -> list of dicts, oldest first, one per session as ``reconcile``
  merges them: ``id`` (the data point ``name``), ``start``/``end`` (aware UTC datetimes),
  ``sleep_date`` (the date the session ends by its own UTC offset, where it was slept),
  ``start_local``/``end_local`` (naive wall-clock times by the session's own offsets),
  ``type`` (STAGES or CLASSIC), ``is_main_sleep``, ``is_nap``, ``minutes_asleep``,
  ``minutes_awake`` (AWAKE + RESTLESS), ``minutes_in_bed`` (the whole period),
  ``minutes_deep``/``minutes_light``/``minutes_rem`` (None for CLASSIC), ``minutes_wake``
  (AWAKE stage minutes) and ``stages`` ({stage type: minutes}).
- ``truth_daily_activity()`` -> {local date: {steps, distance_meters, floors, active_minutes
  (MODERATE + VIGOROUS, Fitbit's "active minutes"), active_minutes_by_level, calories_total}}
  for every date with at least one value; a value is None when the device recorded nothing of
  that kind that day (a 0 means worn and idle).
- ``truth_resting_heart_rate()`` -> {local date: beats per minute}.
- ``truth_daily(data_type, day)``: what ``dailyRollUp`` says for one URL data type and day.
- ``truth_daily_vitals()`` -> {local date: {hrv_ms, spo2_percent, breaths_per_minute,
  temperature_deviation_celsius, vo2_max}} with only the values that day has;
  ``truth_heart_rate_zones()`` -> {local date: minutes per zone and active zone minutes};
  ``truth_exercises()`` -> {data point name: the workout}; ``truth_body()`` -> {local date:
  the day's last weight_kg and body_fat_percent} (see ``health.py`` for how each is generated).
- ``data.unmeasured``: data types the user's devices do not measure at all (none by default):
  the API returns none of them and the truth has none.
- ``data.time_zone`` (the user's home IANA zone, also served by ``users/me/settings``),
  ``data.first_day`` (membership start), ``data.today()``, ``data.trips`` (days lived in
  another zone: by default 20-17 days before the first today in Asia/Tokyo; their points
  carry that zone's offsets and their civil days are Tokyo days) and
  ``data.visible_other_sleeps()`` (a second device's sessions for about 40% of the nights,
  under other names: ``list`` shows them, ``reconcile`` does not).

Mutations between runs: ``data.add_late_steps(day)``, ``data.change_steps(day, factor)``,
``data.delete_day(day)``, ``data.set_resting_heart_rate(day, bpm)``,
``data.delete_resting_heart_rate(day)``, ``data.change_sleep(day)``, ``data.delete_sleep(day)``,
``data.add_late_nap(day)``, ``data.add_trip(first, last, zone)``, ``data.add_late_exercise(day)``,
``data.change_exercise(day)``, ``data.delete_exercise(day)``, ``data.set_daily(type, day, **v)``,
``data.delete_daily(type, day)``; ``clock.advance(days=1)``
makes new days (and late syncs) appear.

OAuth (``app.oauth``): ``rotate`` / ``reject_used`` switches, ``revoke()``,
``expire_access_tokens()``, ``issued()`` (every secret handed out, for leak checks), ``grants``.
Modes (``app.modes``, see ``modes.py``): ``rollup_max_days``, ``second_device``,
``reconcile_order`` (shuffled by default: only ``list`` documents newest first),
``consent_unticked``; ``app.refresh_token_for(*scope_suffixes)`` grants only some scopes.
API knobs: ``app.filter_mode`` ("observed" default, or "documented"), ``app.limit`` (300 per
60 s), ``app.empty_pages`` (next N list pages empty with a token), ``app.send_retry_after``,
``app.calls[(method, data_type)]`` request counters, plus the shared ``faults`` and ``counts``.
"""

from sandbox.google.app import HealthApp, create_app

__all__ = ["HealthApp", "create_app"]
