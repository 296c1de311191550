"""Small statistics helpers (no dependencies)."""


def percentile(values, q):
    """The q-th percentile (0..100) of ``values`` by linear interpolation; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary_ms(seconds):
    """p50/p90/p99/max in milliseconds of a list of durations in seconds."""
    return {name: (None if percentile(seconds, q) is None else round(percentile(seconds, q) * 1000, 3))
            for name, q in (("p50", 50), ("p90", 90), ("p99", 99), ("max", 100))}
