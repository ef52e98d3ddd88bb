"""Attendance: tickets, QR codes, the scanner page and completion."""
