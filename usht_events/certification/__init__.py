"""Certification kinds and certifications: completion, the municipal roster, verification."""
