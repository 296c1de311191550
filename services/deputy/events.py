"""Events the deputy service publishes on the ``deputy.events`` exchange."""
DEPUTY_REGISTERED = "deputy_registered"   # data: the deputy's public fields + version
DEPUTY_UPDATED = "deputy_updated"         # data: public fields + version + "changed": [names]
# Duty records (issue 13)
ACTIVITY_RECORDED = "activity_recorded"       # data: id, kind, title, held_on, participants, published
DUTY_SCHEME_CHANGED = "duty_scheme_changed"   # data: year, version, scheme

# Stations and voters (issue 13)
RECEPTION_SCHEDULED = "reception_scheduled"   # data: id, station_code, station_name, date, starts_at, ends_at, deputies
RECEPTION_HELD = "reception_held"             # data: id, station_code, station_name, held_on, deputies (who sat)
OPINION_RECEIVED = "opinion_received"         # data: tracking_code, station_code, category (never content or contact)
OPINION_CONVERTED = "opinion_converted"       # data: tracking_code, station_code, suggestion_id, number, deputy
# also opinion_<status> (classified, answered, forwarded, declined, closed): tracking_code, station_code, status
