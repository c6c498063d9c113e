"""Set-based builds of staging and the marts, run in SQL on one warehouse connection."""
