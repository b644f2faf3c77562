"""One fixed colour per channel (and per attribution model), the same in every chart of every report.

Keyed by the 20 channel names attrib's channel rules can give (the GA4 default channel group plus
AI Assistants, procedures/rules/_touch_detail.sql), so a channel keeps its colour whichever
channels a report happens to show. The common channels get the strongest, most distinct hues.
"""

from __future__ import annotations

CHANNEL_COLOURS: dict[str, str] = {
    "Organic Search": "#2ca02c",
    "Direct": "#1f77b4",
    "Organic Social": "#17becf",
    "Paid Search": "#ff7f0e",
    "Email": "#9467bd",
    "Paid Social": "#e377c2",
    "Referral": "#8c564b",
    "AI Assistants": "#bcbd22",
    "Unassigned": "#393b79",
    "Audio": "#d62728",
    "Paid Video": "#637939",
    "Organic Video": "#ad494a",
    "Display": "#ffbb78",
    "Cross-network": "#c5b0d5",
    "Paid Shopping": "#f7b6d2",
    "Paid Other": "#c49c94",
    "Organic Shopping": "#dbdb8d",
    "Affiliates": "#9edae5",
    "SMS": "#ff9896",
    "Mobile Push Notifications": "#aec7e8",
}
# A value no rule gives (an output edited by hand, a rule added later): visibly not one of the above.
OTHER_CHANNEL = "#000000"
# Groups under min_sample: grey, whatever their channel.
SMALL_SAMPLE = "#c8c8c8"

MODEL_COLOURS: dict[str, str] = {
    "first_touch": "#4e79a7", "last_touch": "#f28e2b", "last_non_direct": "#e15759",
    "linear": "#76b7b2", "position_based": "#59a14f", "time_decay": "#b07aa1",
}
# Retention horizons: shades of one hue, so they never read as channels.
HORIZON_COLOURS: dict[int, str] = {7: "#9ecae1", 30: "#4292c6", 90: "#08519c"}


def channel_colour(channel: str | None) -> str:
    return CHANNEL_COLOURS.get(channel or "", OTHER_CHANNEL)
