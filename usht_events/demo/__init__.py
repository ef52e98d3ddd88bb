"""The demo programme: centres, municipalities, focus areas, kinds and upcoming events."""
