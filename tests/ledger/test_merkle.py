"""Merkle tree hashes and proofs against RFC 6962 test vectors and a naive implementation of the RFC text."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from truceline.errors import InvalidInput, VerificationError
from truceline.ledger.merkle import (
    EMPTY_ROOT,
    MerkleAccumulator,
    MerkleTree,
    consistency_proof,
    hash_leaf,
    inclusion_proof,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

# The RFC 6962 vectors of transparency-dev/merkle (testonly/constants.go, proof/verify_test.go).
LEAVES = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657"]] + [
    bytes.fromhex("606162636465666768696a6b6c6d6e6f")
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, proof); the published vectors number leaves from 1, these from 0.
INCLUSION_PROOFS = [
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
CONSISTENCY_PROOFS = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip


# A naive reference written from RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1, sharing no code with the module.
def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def reference_mth(d: list[bytes]) -> bytes:
    """MTH over raw leaf data."""
    if not d:
        return _sha256(b"")
    if len(d) == 1:
        return _sha256(b"\x00" + d[0])
    k = _k(len(d))
    return _sha256(b"\x01" + reference_mth(d[:k]) + reference_mth(d[k:]))


def reference_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*reference_path(m, d[:k]), reference_mth(d[k:])]
    return [*reference_path(m - k, d[k:]), reference_mth(d[:k])]


def reference_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [reference_mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*reference_subproof(m, d[:k], b), reference_mth(d[k:])]
    return [*reference_subproof(m - k, d[k:], False), reference_mth(d[:k])]


def data_leaves(n: int) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(n)]


def flip(data: bytes, position: int) -> bytes:
    position %= len(data)
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]


def hexes(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


@pytest.mark.parametrize("size", range(9))
def test_root_matches_the_published_vector_for_each_size(size: int) -> None:
    leaf_hashes = [hash_leaf(leaf) for leaf in LEAVES[:size]]
    assert root_from_leaf_hashes(leaf_hashes).hex() == ROOTS[size]
    assert MerkleAccumulator(leaf_hashes).root().hex() == ROOTS[size]


def test_empty_tree_root_is_the_hash_of_the_empty_string() -> None:
    assert root_from_leaf_hashes([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert MerkleAccumulator().root() == EMPTY_ROOT


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_PROOFS)
def test_inclusion_proof_matches_the_published_vector(index: int, size: int, proof: list[str]) -> None:
    leaf_hashes = [hash_leaf(leaf) for leaf in LEAVES]
    assert inclusion_proof(leaf_hashes, index, size) == hexes(proof)
    verify_inclusion(
        leaf_hash=leaf_hashes[index],
        index=index,
        size=size,
        proof=hexes(proof),
        root=bytes.fromhex(ROOTS[size]),
    )


@pytest.mark.parametrize(("old_size", "new_size", "proof"), CONSISTENCY_PROOFS)
def test_consistency_proof_matches_the_published_vector(
    old_size: int, new_size: int, proof: list[str]
) -> None:
    leaf_hashes = [hash_leaf(leaf) for leaf in LEAVES]
    assert consistency_proof(leaf_hashes, old_size, new_size) == hexes(proof)
    verify_consistency(
        old_size=old_size,
        new_size=new_size,
        old_root=bytes.fromhex(ROOTS[old_size]),
        new_root=bytes.fromhex(ROOTS[new_size]),
        proof=hexes(proof),
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=40))
def test_every_inclusion_proof_verifies_and_matches_the_rfc_path(n: int) -> None:
    data = data_leaves(n)
    leaf_hashes = [hash_leaf(d) for d in data]
    for size in range(1, n + 1):
        root = reference_mth(data[:size])
        for index in range(size):
            proof = inclusion_proof(leaf_hashes, index, size)
            assert proof == reference_path(index, data[:size])
            verify_inclusion(leaf_hash=leaf_hashes[index], index=index, size=size, proof=proof, root=root)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=70))
def test_a_stored_tree_gives_the_rfc_path_and_root_at_every_smaller_size(n: int) -> None:
    data = data_leaves(n)
    tree = MerkleTree([hash_leaf(d) for d in data])
    for size in range(1, n + 1):
        assert tree.root(size) == reference_mth(data[:size])
        for index in range(size):
            assert tree.inclusion_proof(index, size) == reference_path(index, data[:size])
    with pytest.raises(InvalidInput, match="inclusion proof needs"):
        tree.inclusion_proof(n, n)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=40))
def test_every_consistency_proof_verifies_and_matches_the_rfc_proof(n: int) -> None:
    data = data_leaves(n)
    leaf_hashes = [hash_leaf(d) for d in data]
    roots = [reference_mth(data[:size]) for size in range(n + 1)]
    for new_size in range(n + 1):
        for old_size in range(new_size + 1):
            proof = consistency_proof(leaf_hashes, old_size, new_size)
            if 0 < old_size < new_size:
                assert proof == reference_subproof(old_size, data[:new_size], True)
            else:
                assert proof == []
            verify_consistency(
                old_size=old_size,
                new_size=new_size,
                old_root=roots[old_size],
                new_root=roots[new_size],
                proof=proof,
            )


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_flipping_any_byte_of_an_inclusion_proof_leaf_or_root_makes_verification_fail(
    data: st.DataObject,
) -> None:
    n = data.draw(st.integers(min_value=1, max_value=33))
    size = data.draw(st.integers(min_value=1, max_value=n))
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    leaf_hashes = [hash_leaf(d) for d in data_leaves(n)]
    proof = inclusion_proof(leaf_hashes, index, size)
    root = root_from_leaf_hashes(leaf_hashes[:size])
    args = {"leaf_hash": leaf_hashes[index], "index": index, "size": size, "proof": proof, "root": root}
    target = data.draw(st.sampled_from(["leaf_hash", "root", "proof"] if proof else ["leaf_hash", "root"]))
    position = data.draw(st.integers(min_value=0, max_value=31))
    if target == "proof":
        which = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        args["proof"] = [flip(p, position) if i == which else p for i, p in enumerate(proof)]
    else:
        args[target] = flip(args[target], position)  # type: ignore[arg-type]
    with pytest.raises(VerificationError):
        verify_inclusion(**args)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_flipping_any_byte_of_a_consistency_proof_or_root_makes_verification_fail(
    data: st.DataObject,
) -> None:
    new_size = data.draw(st.integers(min_value=2, max_value=33))
    old_size = data.draw(st.integers(min_value=1, max_value=new_size - 1))
    leaf_hashes = [hash_leaf(d) for d in data_leaves(new_size)]
    proof = consistency_proof(leaf_hashes, old_size, new_size)
    args = {
        "old_size": old_size,
        "new_size": new_size,
        "old_root": root_from_leaf_hashes(leaf_hashes[:old_size]),
        "new_root": root_from_leaf_hashes(leaf_hashes),
        "proof": proof,
    }
    target = data.draw(st.sampled_from(["old_root", "new_root", "proof"]))
    position = data.draw(st.integers(min_value=0, max_value=31))
    if target == "proof":
        which = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        args["proof"] = [flip(p, position) if i == which else p for i, p in enumerate(proof)]
    else:
        args[target] = flip(args[target], position)  # type: ignore[arg-type]
    with pytest.raises(VerificationError):
        verify_consistency(**args)  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.binary(max_size=8), max_size=70))
def test_accumulator_root_equals_the_recursive_root_at_every_size(data: list[bytes]) -> None:
    accumulator = MerkleAccumulator()
    assert accumulator.root() == reference_mth([])
    for size, d in enumerate(data, start=1):
        accumulator.append(hash_leaf(d))
        assert accumulator.size == size
        assert accumulator.root() == reference_mth(data[:size])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), max_size=6))
def test_extending_the_accumulator_in_batches_builds_the_tree_of_one_by_one_appends(
    batches: list[int],
) -> None:
    extended, appended = MerkleAccumulator(), MerkleAccumulator()
    for batch in batches:
        leaf_hashes = [hash_leaf(str(extended.size + i).encode()) for i in range(batch)]
        extended.extend(leaf_hashes)
        for leaf_hash in leaf_hashes:
            appended.append(leaf_hash)
        assert (extended.size, extended.root()) == (appended.size, appended.root())


def test_consistency_proof_fails_when_an_old_leaf_changes() -> None:
    data = data_leaves(11)
    leaf_hashes = [hash_leaf(d) for d in data]
    old_root = root_from_leaf_hashes(leaf_hashes[:6])
    rewritten = [*leaf_hashes[:3], hash_leaf(b"rewritten"), *leaf_hashes[4:]]
    proof = consistency_proof(rewritten, 6, 11)
    with pytest.raises(VerificationError, match="old root"):
        verify_consistency(
            old_size=6, new_size=11, old_root=old_root, new_root=root_from_leaf_hashes(rewritten), proof=proof
        )


def test_inclusion_proof_fails_for_the_wrong_index() -> None:
    leaf_hashes = [hash_leaf(d) for d in data_leaves(8)]
    proof = inclusion_proof(leaf_hashes, 3, 8)
    with pytest.raises(VerificationError, match="expected"):
        verify_inclusion(
            leaf_hash=leaf_hashes[3], index=2, size=8, proof=proof, root=root_from_leaf_hashes(leaf_hashes)
        )


def test_inclusion_proof_with_an_extra_or_missing_node_fails() -> None:
    leaf_hashes = [hash_leaf(d) for d in data_leaves(8)]
    proof = inclusion_proof(leaf_hashes, 3, 8)
    root = root_from_leaf_hashes(leaf_hashes)
    for wrong in ([*proof, root], proof[:-1], [root, *proof]):
        with pytest.raises(VerificationError):
            verify_inclusion(leaf_hash=leaf_hashes[3], index=3, size=8, proof=wrong, root=root)


def test_inclusion_verification_refuses_an_index_outside_the_tree_and_short_hashes() -> None:
    leaf = hash_leaf(b"x")
    with pytest.raises(VerificationError, match="impossible"):
        verify_inclusion(leaf_hash=leaf, index=1, size=1, proof=[], root=leaf)
    with pytest.raises(VerificationError, match="32 bytes"):
        verify_inclusion(leaf_hash=b"", index=0, size=1, proof=[], root=b"")


def test_consistency_verification_refuses_shrinking_trees_and_needless_proofs() -> None:
    root = hash_leaf(b"x")
    with pytest.raises(VerificationError, match="cannot be extended"):
        verify_consistency(old_size=2, new_size=1, old_root=root, new_root=root, proof=[])
    with pytest.raises(VerificationError, match="must be empty"):
        verify_consistency(old_size=1, new_size=1, old_root=root, new_root=root, proof=[root])
    with pytest.raises(VerificationError, match="two roots"):
        verify_consistency(old_size=1, new_size=1, old_root=root, new_root=EMPTY_ROOT, proof=[])
    with pytest.raises(VerificationError, match="is empty"):
        verify_consistency(old_size=1, new_size=2, old_root=root, new_root=EMPTY_ROOT, proof=[])


def test_proofs_refuse_sizes_beyond_the_leaves_given() -> None:
    leaf_hashes = [hash_leaf(d) for d in data_leaves(4)]
    with pytest.raises(InvalidInput):
        inclusion_proof(leaf_hashes, 4, 4)
    with pytest.raises(InvalidInput):
        inclusion_proof(leaf_hashes, 0, 5)
    with pytest.raises(InvalidInput):
        consistency_proof(leaf_hashes, 3, 2)
    with pytest.raises(InvalidInput):
        consistency_proof(leaf_hashes, 1, 5)


def test_consistency_from_the_empty_tree_needs_the_empty_root() -> None:
    import hashlib

    from truceline.errors import VerificationError
    from truceline.ledger.merkle import EMPTY_ROOT, verify_consistency

    new_root = hashlib.sha256(b"any").digest()
    verify_consistency(old_size=0, new_size=5, old_root=EMPTY_ROOT, new_root=new_root, proof=[])
    with pytest.raises(VerificationError, match="empty tree's root"):
        verify_consistency(old_size=0, new_size=5, old_root=bytes(32), new_root=new_root, proof=[])
