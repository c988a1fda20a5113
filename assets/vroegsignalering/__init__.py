"""Early warning (vroegsignalering): latest knowledge per signal and case, the link to
debt assistance, and the indicators (spec/vroegsignalering.md, docs/vroegsignalering.md)."""
