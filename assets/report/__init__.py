"""The HTML report under `rapport/`: pure page builders (national, per gemeente, suppliers)
from the indicator and quality tables, charts as inline SVG; `dagster_assets.py` wires it."""
