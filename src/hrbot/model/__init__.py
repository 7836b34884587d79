"""Trained model archives: training entry point, writing, finding and loading them."""
