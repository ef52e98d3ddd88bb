"""People and their registrations: sign-up, waiting list, promotion, the manage link."""
