"""Events the deputy service publishes on the ``deputy.events`` exchange."""
DEPUTY_REGISTERED = "deputy_registered"   # data: the deputy's public fields + version
DEPUTY_UPDATED = "deputy_updated"         # data: public fields + version + "changed": [names]
# Duty records (issue 13)
ACTIVITY_RECORDED = "activity_recorded"       # data: id, kind, title, held_on, participants, published
DUTY_SCHEME_CHANGED = "duty_scheme_changed"   # data: year, version, scheme

