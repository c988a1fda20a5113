"""The last step of every run: publish the run's work folder as the output set (assets/common/publish.py)."""
