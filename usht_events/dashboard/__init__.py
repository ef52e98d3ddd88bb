"""The organiser's overview: what needs them now."""
