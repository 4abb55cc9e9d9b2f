/*
 * fill(buffer, offset, length) for the Linux host board: getrandom(2) over a
 * slice of an ArrayBuffer, the same host function the ESP32 boards bind to
 * esp_fill_random (boards/esp32/entropy.c), so the JavaScript side
 * (boards/esp32/entropy.js) is shared.
 */
#include "xsmc.h"
#include <errno.h>
#include <sys/random.h>

void xs_qrpay_entropy_fill(xsMachine *the)
{
	int offset = xsmcToInteger(xsArg(1));
	int length = xsmcToInteger(xsArg(2));
	xsUnsignedValue byteLength;
	void *data;

	xsmcGetBufferWritable(xsArg(0), &data, &byteLength);
	if ((offset < 0) || (length < 0) || ((xsUnsignedValue)(offset + length) > byteLength))
		xsRangeError("out of range");
	unsigned char *at = (unsigned char *)data + offset;
	while (length > 0) {
		ssize_t got = getrandom(at, length, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			xsUnknownError("getrandom failed");
		}
		at += got;
		length -= got;
	}
}
