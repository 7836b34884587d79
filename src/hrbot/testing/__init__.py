"""Evaluating a trained model on test stories."""
