"""NLU data types shared by training, parsing and the dialogue engine."""
