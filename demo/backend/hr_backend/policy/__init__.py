"""Company rules, free of HTTP: who may see what, masking, and the handbook's checks."""
