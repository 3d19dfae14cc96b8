# No exam models in the staff admin, on purpose (as before the move from intake): an exam is read on its
# page, which checks the reader's care of the patient and audits the read, and a signed exam is corrected
# only by an addendum there. The admin would bypass both.
# Red-flag re-screens likewise: clinical records, read on the re-screen page and the exam, with the same checks.
