"""Merkle Tree Hash, inclusion and consistency proofs over leaf hashes, as in RFC 6962 and RFC 9162 §2.1."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from truceline.errors import InvalidInput, VerificationError

HASH_SIZE = 32
# RFC 9162 §2.1.1: the hash of an empty list is the hash of an empty string.
EMPTY_ROOT = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

# RFC 9162 §2.1.1: the prefixes separate leaves from interior nodes (second-preimage resistance).
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def hash_leaf(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """Interior node hash SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of a list of leaf hashes (RFC 9162 §2.1.1), in O(n) hashes."""
    if not leaf_hashes:
        return EMPTY_ROOT
    # Pairing level by level and carrying an odd last node up unchanged builds exactly the tree of
    # RFC 9162 §2.1.1, whose left subtree is always the largest power of two smaller than n.
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [hash_children(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, ordered from the leaf up to the root."""
    if not 0 <= index < size <= len(leaf_hashes):
        raise InvalidInput(
            f"inclusion proof needs 0 <= index < size <= {len(leaf_hashes)}, got index {index}, size {size}"
        )
    siblings: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if index < lo + k:
            siblings.append(root_from_leaf_hashes(leaf_hashes[lo + k : hi]))
            hi = lo + k
        else:
            siblings.append(root_from_leaf_hashes(leaf_hashes[lo : lo + k]))
            lo += k
    siblings.reverse()
    return siblings


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1; empty when old_size is 0 or equals new_size."""
    if not 0 <= old_size <= new_size <= len(leaf_hashes):
        raise InvalidInput(
            f"consistency proof needs 0 <= old_size <= new_size <= {len(leaf_hashes)}, "
            f"got {old_size} and {new_size}"
        )
    if old_size in (0, new_size):
        return []
    # SUBPROOF(m, D[lo:hi], b) unrolled: `outer` holds the MTH(...) appended at each level, outermost first.
    outer: list[bytes] = []
    lo, hi, m, is_original_subtree = 0, new_size, old_size, True
    while m != hi - lo:
        k = _largest_power_of_two_below(hi - lo)
        if m <= k:
            outer.append(root_from_leaf_hashes(leaf_hashes[lo + k : hi]))
            hi = lo + k
        else:
            outer.append(root_from_leaf_hashes(leaf_hashes[lo : lo + k]))
            lo += k
            m -= k
            is_original_subtree = False
    innermost = [] if is_original_subtree else [root_from_leaf_hashes(leaf_hashes[lo:hi])]
    return innermost + outer[::-1]


def verify_inclusion(*, leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Return None if `proof` shows leaf `index` is in the tree of `size` with `root`; raise otherwise."""
    _require_hashes(leaf_hash=leaf_hash, root=root, proof=proof)
    if not 0 <= index < size:
        raise VerificationError(f"inclusion proof for index {index} in a tree of size {size} is impossible")
    # RFC 9162 §2.1.3.2
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise VerificationError(f"inclusion proof is too long for index {index} in size {size}")
        if fn & 1 or fn == sn:
            r = hash_children(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = hash_children(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError(f"inclusion proof is too short for index {index} in size {size}")
    if r != root:
        raise VerificationError(f"inclusion proof gives root {r.hex()}, expected {root.hex()}")


def verify_consistency(
    *, old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Return None if `proof` shows the tree of `new_size` extends the tree of `old_size`; raise otherwise."""
    _require_hashes(old_root=old_root, new_root=new_root, proof=proof)
    if not 0 <= old_size <= new_size:
        raise VerificationError(f"a tree of size {old_size} cannot be extended to size {new_size}")
    if old_size == new_size:
        if proof:
            raise VerificationError(f"consistency proof between equal sizes must be empty, got {len(proof)}")
        if old_root != new_root:
            raise VerificationError(
                f"two roots for size {old_size}: expected {old_root.hex()}, got {new_root.hex()}"
            )
        return
    if old_size == 0:
        if proof:
            raise VerificationError(f"consistency proof from the empty tree must be empty, got {len(proof)}")
        if old_root != EMPTY_ROOT:
            raise VerificationError(
                f"the empty tree's root is {EMPTY_ROOT.hex()} (SHA-256 of nothing), got {old_root.hex()}"
            )
        return
    if not proof:
        raise VerificationError(f"consistency proof from size {old_size} to {new_size} is empty")
    # RFC 9162 §2.1.4.2
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError(f"consistency proof from size {old_size} to {new_size} is too long")
        if fn & 1 or fn == sn:
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = hash_children(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError(f"consistency proof from size {old_size} to {new_size} is too short")
    if fr != old_root:
        raise VerificationError(
            f"consistency proof gives old root {fr.hex()}, expected {old_root.hex()} (size {old_size})"
        )
    if sr != new_root:
        raise VerificationError(
            f"consistency proof gives new root {sr.hex()}, expected {new_root.hex()} (size {new_size})"
        )


class MerkleAccumulator:
    """Streams leaf hashes in and gives the root at the current size; keeps O(log n) hashes.

    The state is the roots of the perfect subtrees that make up the tree so far, one per set bit of
    `size`, largest (leftmost) first; the root folds them from the right (RFC 9162 §2.1.1).
    """

    __slots__ = ("_peaks", "_size")

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._peaks: list[bytes] = []
        self._size = 0
        for leaf_hash in leaf_hashes:
            self.append(leaf_hash)

    @property
    def size(self) -> int:
        return self._size

    def copy(self) -> MerkleAccumulator:
        """An accumulator at the same size that grows on its own."""
        other = MerkleAccumulator()
        other._peaks = list(self._peaks)
        other._size = self._size
        return other

    def clear(self) -> None:
        """Back to the empty tree."""
        self._peaks.clear()
        self._size = 0

    def append(self, leaf_hash: bytes) -> None:
        node, n = leaf_hash, self._size
        # Each trailing 1 bit of the old size is a perfect subtree of the same height: merge it.
        while n & 1:
            node = hash_children(self._peaks.pop(), node)
            n >>= 1
        self._peaks.append(node)
        self._size += 1

    def extend(self, leaf_hashes: Sequence[bytes]) -> None:
        """Append many leaf hashes: the tree `append` would build, hashed a perfect subtree at a time (one
        list comprehension per level instead of a Python loop per leaf)."""
        start, count = 0, len(leaf_hashes)
        while start < count:
            # The next subtree is the largest power of two that is left and that divides the size so far:
            # then no peak is smaller than it, and it merges with the peaks as one leaf would, a level up.
            width = 1 << ((count - start).bit_length() - 1)
            if self._size:
                width = min(width, self._size & -self._size)
            level = list(leaf_hashes[start : start + width])
            while len(level) > 1:
                # RFC 9162 §2.1.1 node hashes inline: calling `hash_children` per node costs a third more.
                level = [
                    hashlib.sha256(_NODE_PREFIX + left + right).digest()
                    for left, right in zip(level[::2], level[1::2], strict=True)
                ]
            node, n = level[0], self._size // width
            while n & 1:
                node = hash_children(self._peaks.pop(), node)
                n >>= 1
            self._peaks.append(node)
            self._size += width
            start += width

    def root(self) -> bytes:
        if not self._peaks:
            return EMPTY_ROOT
        node = self._peaks[-1]
        for peak in reversed(self._peaks[:-1]):
            node = hash_children(peak, node)
        return node


class MerkleTree:
    """Every complete, aligned subtree hash of a fixed list of leaves, so a proof costs O(log² n) lookups.

    `levels[h][i]` is the hash of leaves [i·2^h, (i+1)·2^h). Build it once per tree size (O(n) hashes) and
    keep it: leaves never change, so the same tree answers every inclusion proof at that size.
    """

    __slots__ = ("levels", "size")

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self.size = len(leaf_hashes)
        self.levels: list[list[bytes]] = [list(leaf_hashes)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append([hash_children(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])

    def subtree_root(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for lo aligned as RFC 9162's recursion leaves it (a multiple of the left part)."""
        n = hi - lo
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and lo % n == 0:
            return self.levels[n.bit_length() - 1][lo // n]
        k = _largest_power_of_two_below(n)
        return hash_children(self.subtree_root(lo, lo + k), self.subtree_root(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        return self.subtree_root(0, self.size if size is None else size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """The same path as `inclusion_proof(leaves, index, size)`, from the stored levels."""
        if not 0 <= index < size <= self.size:
            raise InvalidInput(
                f"inclusion proof needs 0 <= index < size <= {self.size}, got index {index}, size {size}"
            )
        siblings: list[bytes] = []
        lo, hi = 0, size
        while hi - lo > 1:
            k = _largest_power_of_two_below(hi - lo)
            if index < lo + k:
                siblings.append(self.subtree_root(lo + k, hi))
                hi = lo + k
            else:
                siblings.append(self.subtree_root(lo, lo + k))
                lo += k
        siblings.reverse()
        return siblings


def _largest_power_of_two_below(n: int) -> int:
    """RFC 9162 §2.1.1: k is the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _require_hashes(*, proof: Sequence[bytes], **hashes: bytes) -> None:
    for what, value in hashes.items():
        if len(value) != HASH_SIZE:
            raise VerificationError(f"{what} must be {HASH_SIZE} bytes, got {len(value)}")
    for i, node in enumerate(proof):
        if len(node) != HASH_SIZE:
            raise VerificationError(f"proof[{i}] must be {HASH_SIZE} bytes, got {len(node)}")
