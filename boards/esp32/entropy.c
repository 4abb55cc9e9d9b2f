/*
 * fill(buffer, offset, length): esp_fill_random over a slice of an ArrayBuffer.
 * With the RF subsystem on (Wi-Fi), the ESP32 RNG is a true random source
 * (ESP-IDF "Random Number Generation").
 */
#include "xsmc.h"
#include "xsHost.h"
#include "esp_random.h"

void xs_qrpay_entropy_fill(xsMachine *the)
{
	int offset = xsmcToInteger(xsArg(1));
	int length = xsmcToInteger(xsArg(2));
	xsUnsignedValue byteLength;
	void *data;

	xsmcGetBufferWritable(xsArg(0), &data, &byteLength);
	if ((offset < 0) || (length < 0) || ((xsUnsignedValue)(offset + length) > byteLength))
		xsRangeError("out of range");
	esp_fill_random((uint8_t *)data + offset, length);
}
