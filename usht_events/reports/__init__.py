"""Reports: the annual participation matrix and its figures, on screen and in Excel."""
