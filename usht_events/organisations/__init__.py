"""Centres (USHT), municipalities and the region each centre serves."""
