/*
 * memory() for the Linux host board: what the XS machine has used so far:
 * `chunks` / `peakChunks` in bytes (the chunk heap: strings, buffers, bytecode
 * of modules loaded at boot), `slots` / `peakSlots` in slots (the slot heap),
 * and, in an instrumented build (mcconfig -i), `peakStack` in slots: the units
 * of the manifest's creation.chunk, creation.heap and creation.stack (a slot
 * is 16 bytes on a 32-bit MCU, 32 here). The Moddable lane's smoke run
 * reads the peaks of a payment to check them against the manifest's
 * `creation` (docs/moddable.md).
 */
#include "xsAll.h"
#include "xsmc.h"

/* [chunks, peakChunks, slots, peakSlots, peakStack or -1]: memory.js names them. */
void xs_qrpay_memory(xsMachine *the)
{
	txInteger values[5] = { the->currentChunksSize, the->peakChunksSize, the->currentHeapCount, the->peakHeapCount, -1 };
#ifdef mxInstrument
	values[4] = mxPtrDiff(the->stackTop - the->stackPeak);
#endif
	xsmcVars(1);
	xsmcSetNewArray(xsResult, 5);
	for (int i = 0; i < 5; i++) {
		xsmcSetInteger(xsVar(0), values[i]);
		xsmcSetIndex(xsResult, i, xsVar(0));
	}
}
