"""Events, their sessions, focus areas and series; the public calendar and programme import."""
