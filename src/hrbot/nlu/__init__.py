"""NLU: components, the pipeline that runs them, training and evaluation."""
