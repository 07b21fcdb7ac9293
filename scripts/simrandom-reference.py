#!/usr/bin/env python3
"""An independent reference for Tap.Sim.SimRandom (xoshiro256** seeded through splitmix64), written from the
published algorithms (Blackman and Vigna, prng.di.unimi.it), not from our C# code. It first checks itself against
vectors published elsewhere (PHP's ext/random tests, which seed xoshiro256** through splitmix64 exactly as we do,
and splitmix64's well-known outputs for seed 0), then prints the values SimRandomKnownAnswerTests pins.

    python3 scripts/simrandom-reference.py
"""
M = (1 << 64) - 1


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


def splitmix(x):
    x = (x + 0x9E3779B97F4A7C15) & M
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return x, z ^ (z >> 31)


class Xoshiro256StarStar:
    def __init__(self, seed=None, state=None):
        if state is not None:
            self.s = list(state)
            return
        self.s = []
        for _ in range(4):
            seed, v = splitmix(seed)
            self.s.append(v)

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def jump(self, poly):
        acc = [0, 0, 0, 0]
        for word in poly:
            for b in range(64):
                if word & (1 << b):
                    acc = [acc[i] ^ self.s[i] for i in range(4)]
                self.next()
        self.s = acc

    def below(self, n):  # SimRandom.Next(n)
        return 0 if n <= 1 else self.next() % n


def le(v):
    return v.to_bytes(8, "little").hex()


# php-src ext/random/tests/02_engine/xoshiro256starstar_seed.phpt: a 32-byte state, 1000 draws, then this one.
x = Xoshiro256StarStar(state=[0x0807060504030201] * 4)
for _ in range(1000):
    x.next()
assert le(x.next()) == "90a025df9300cfd1"
# php-src ext/random/tests/02_engine/xoshiro256starstar_value.phpt: seed 1234 (splitmix64), 10000 draws, jump, long jump.
x = Xoshiro256StarStar(seed=1234)
for _ in range(10000):
    x.next()
x.jump([0x180EC6D33CFD0ABA, 0xD5A61266F0C9392C, 0xA9582618E03FC9AA, 0x39ABDC4529B1661C])
x.jump([0x76E15D3EFEFDCBBF, 0xC5004E441C522FB3, 0x77710069854EE241, 0x39109BB02ACBE635])
assert le(x.next()) == "1f197e9ca7969123"
# splitmix64, seed 0.
seed, first = splitmix(0)
assert first == 0xE220A8397B1DCDAF

for seed in (0, 7, 1234):
    x = Xoshiro256StarStar(seed=seed)
    print(f"seed {seed}:", ", ".join(f"0x{x.next():016X}UL" for _ in range(6)))
x = Xoshiro256StarStar(seed=42)
print("seed 42, Next(10) x12:", [x.below(10) for _ in range(12)])
print("then Chance(3/10) x12:", [x.below(10) < 3 for _ in range(12)])
items = list(range(10))
for i in range(len(items) - 1, 0, -1):
    j = x.below(i + 1)
    items[i], items[j] = items[j], items[i]
print("then Shuffle(0..9):", items)
print("then Next(3, 9) x8:", [3 + x.below(6) for _ in range(8)])
