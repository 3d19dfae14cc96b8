# Intake models arrive with the intake issue.
