"""Events the deputy service publishes on the ``deputy.events`` exchange."""
DEPUTY_REGISTERED = "deputy_registered"   # data: the deputy's public fields + version
DEPUTY_UPDATED = "deputy_updated"         # data: public fields + version + "changed": [names]
