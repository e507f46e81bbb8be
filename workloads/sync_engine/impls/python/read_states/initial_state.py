"""Every key's state before anybody changes it (SPEC.md, "Key space and initial state")."""

MASK64 = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15


def splitmix64(z: int) -> int:
    z = (z + GOLDEN_GAMMA) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def initial_state(user: int, channel: int) -> tuple[int, int]:
    """(last_read_message_id, mention_count) of (user, channel) while nobody has changed it."""
    h = splitmix64((user * GOLDEN_GAMMA + channel) & MASK64)
    return h >> 24, h & 7
