"""Check-in: the ticket page, the desk (scanning, name search, walk-ins, the offline
snapshot and its queued scans) and its rules. Attendance itself is in registration/models.py."""
