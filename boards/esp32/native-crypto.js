/*
 * The crypto accelerator of our Moddable boards (hal/crypto.ts), from the SDK's
 * modules/crypt: SHA-256 by `crypt`'s native Digest, and the ECDSA P-256
 * equation with the double-scalar multiplication u1·G + u2·Q of `ec`
 * (xs_ec2_mul2: Jacobian coordinates, Montgomery arithmetic in xsBigIntEx.c)
 * and the inverse s⁻¹ mod n of `modular` (xs_mod2_mulinv_general). The core has
 * checked everything else before it calls in (src/crypto/verify.ts).
 *
 * Not the SDK's `ecdsa` module: its verify compares R.x with r without
 * reducing it mod n and without looking at the point at infinity, and takes
 * only uncompressed keys (docs/moddable.md, "Native crypto").
 *
 * JavaScript, not TypeScript: it imports SDK modules by their Moddable names,
 * and is compiled by xsc like them (mapped to `qrpay-native-crypto` by the
 * board manifests). It keeps no module state: the curve and the digest are
 * made when a board creates the accelerator, at run time (a BigInt preloaded
 * into flash is never === to an equal run-time one: XS bug 3, docs/moddable.md).
 */
import { Digest } from "crypt";
import EC from "ec";
import ECPoint from "ecp";
import Modular from "modular";

export function createModdableCrypto() {
	const p = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
	const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
	const curve = new EC(p - 3n, 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn, p);
	const G = new ECPoint(
		0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
		0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
	);
	const order = new Modular(n);
	const digest = new Digest("SHA256");
	return {
		sha256(data) {
			return new Uint8Array(digest.process(data));
		},
		es256(hash, r, s, qx, qy) {
			const e = BigInt.fromArrayBuffer(hash.slice().buffer);
			const w = order.mulinv(s);
			const R = curve.mul2(G, e * w % n, new ECPoint(qx, qy), r * w % n);
			return !R.isZero() && R.X % n === r;
		},
	};
}
