# caption: 小素数玩具 RSA：扩展欧几里得求逆元、加解密、CRT 解密、签名验签，并对所有 m 验证 m^(ed) ≡ m (mod n)
# point: RSA的使用场景与数学证明
# timeout: 30
import hashlib
import math
import random


def egcd(a, b):
    """Return (g, x, y) with a*x + b*y == g == gcd(a, b)."""
    x0, y0, x1, y1 = 1, 0, 0, 1
    while b:
        q, a, b = a // b, b, a % b
        x0, x1 = x1, x0 - q * x1
        y0, y1 = y1, y0 - q * y1
    return a, x0, y0


def modinv(a, m):
    g, x, _ = egcd(a, m)
    if g != 1:
        raise ValueError("no inverse: gcd(%d, %d) = %d" % (a, m, g))
    return x % m


def is_prime(n):
    return n >= 2 and all(n % k for k in range(2, math.isqrt(n) + 1))


rng = random.Random(8017)
primes = [x for x in range(200, 500) if is_prime(x)]
e = 17                                   # real keys use 65537
while True:
    p, q = rng.sample(primes, 2)
    phi = (p - 1) * (q - 1)
    lam = math.lcm(p - 1, q - 1)
    # pick a pair where d mod lambda and d mod phi differ, to show both work
    if math.gcd(e, phi) == 1 and modinv(e, lam) != modinv(e, phi):
        break
n = p * q
lam = math.lcm(p - 1, q - 1)             # Carmichael function, as in RFC 8017
d = modinv(e, lam)
d_phi = modinv(e, phi)
print("p=%d q=%d n=%d phi=%d lambda=%d" % (p, q, n, phi, lam))
print("e=%d  d=e^-1 mod lambda=%d  (mod phi it would be %d)" % (e, d, d_phi))
assert e * d % lam == 1 and e * d_phi % phi == 1

g, x, y = egcd(e, lam)
print("extended Euclid: %d*%d + %d*%d = %d" % (e, x, lam, y, g))
assert e * x + lam * y == 1

# m^(ed) == m (mod n) for EVERY m, including multiples of p or q
for m in range(n):
    c = pow(m, e, n)
    assert pow(c, d, n) == m and pow(c, d_phi, n) == m
print("checked m^(ed) = m (mod n) for all %d values of m (both d's)" % n)

# Euler's theorem a^phi = 1 (mod n) only when gcd(a, n) = 1
assert all(pow(a, phi, n) == 1 for a in range(1, n) if math.gcd(a, n) == 1)
assert pow(p, phi, n) != 1
print("Euler: a^phi = 1 (mod n) for all a coprime to n; fails for a=p")

# CRT decryption (RFC 8017 RSADP with dP, dQ, qInv)
dP, dQ, qInv = d % (p - 1), d % (q - 1), modinv(q, p)
for m in rng.sample(range(n), 2000):
    c = pow(m, e, n)
    m1, m2 = pow(c, dP, p), pow(c, dQ, q)
    h = qInv * (m1 - m2) % p
    assert m2 + h * q == m
print("CRT decryption with dP=%d dQ=%d qInv=%d agrees" % (dP, dQ, qInv))

# sign / verify (toy: hash reduced mod n; real RSA uses PSS or PKCS#1 v1.5)
def h(msg):
    return int.from_bytes(hashlib.sha256(msg).digest(), "big") % n


msg = b"transfer 100 to bob"
sig = pow(h(msg), d, n)
assert pow(sig, e, n) == h(msg)
assert pow(sig, e, n) != h(b"transfer 900 to bob")
print("signature %d verifies; altered message does not" % sig)

# textbook RSA is deterministic and malleable -> padding is mandatory
m1, m2 = 12, 34
c1, c2 = pow(m1, e, n), pow(m2, e, n)
assert pow(c1 * c2 % n, d, n) == m1 * m2 % n
assert pow(m1, e, n) == c1
print("E(12)*E(34) decrypts to %d: textbook RSA is malleable" % (m1 * m2 % n))
