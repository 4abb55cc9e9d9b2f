/*
 * The XS machine's memory use on the Linux host board (memory.c). A host
 * function, so this one module is JavaScript with XS's `@` binding syntax.
 */
function sample() @ "xs_qrpay_memory";

export function memory() {
	const [chunks, peakChunks, slots, peakSlots, peakStack] = sample();
	return peakStack < 0 ? { chunks, peakChunks, slots, peakSlots } : { chunks, peakChunks, slots, peakSlots, peakStack };
}
