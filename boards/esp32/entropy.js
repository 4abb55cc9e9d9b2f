/*
 * The entropy HAL on ESP32: esp_fill_random() from the hardware RNG (entropy.c).
 * A host function, so this one module is JavaScript with XS's `@` binding syntax.
 */
function fill(bytes) @ "xs_qrpay_entropy_fill";

export function createEsp32Entropy() {
	return {
		fill(bytes) {
			fill(bytes.buffer, bytes.byteOffset, bytes.byteLength);
			return bytes;
		}
	};
}
