"""The reports people read and file, written from the marts: the monthly HTML page and the periodic form."""
