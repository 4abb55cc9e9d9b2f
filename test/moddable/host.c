/*
 * A headless host for a Moddable `-p lin` build (mc.so), for the test lane.
 * Moddable's simulator (mcsim) needs GTK and quits silently on an XS abort;
 * this host dlopens mc.so, launches its machine with fxScreenLaunch, runs a
 * GLib main loop and prints what the firmware traces (XS prints `trace` on
 * stdout). The firmware ends a run by posting a message ("exit N"); an XS abort
 * ends it with the abort's status. Usage: host <mc.so> [message].
 * `message` is invoked on the machine once launched (screen.onMessage), which
 * lets one build run one test file per process.
 */
#include <dlfcn.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include "screen.h"

static GMainLoop *loop;
static int exitStatus = 3; /* the machine stopped without saying how */
static guint idleSource;
static double launchedAt;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void onAbort(txScreen *screen, int status)
{
	fflush(stdout);
	fprintf(stderr, "host: XS abort, status %d\n", status);
	exitStatus = 64 + status;
	g_main_loop_quit(loop);
}

static void onPost(txScreen *screen, char *buffer, int size)
{
	if (size)
		return;
	if (strncmp(buffer, "exit ", 5) == 0) {
		exitStatus = atoi(buffer + 5);
		g_main_loop_quit(loop);
	}
	else
		printf("host: %s\n", buffer);
}

static gboolean onIdle(gpointer data)
{
	txScreen *screen = data;
	if (screen->idle)
		(*screen->idle)(screen);
	return G_SOURCE_CONTINUE;
}

static void onStart(txScreen *screen, double interval)
{
	if (!idleSource)
		idleSource = g_timeout_add((guint)interval, onIdle, screen);
}

static void onStop(txScreen *screen)
{
	if (idleSource)
		g_source_remove(idleSource);
	idleSource = 0;
}

static void noop(txScreen *screen) {}
static void noopFormat(txScreen *screen) {}

static gboolean deliver(gpointer data)
{
	txScreen *screen = ((void **)data)[0];
	char *message = ((void **)data)[1];
	if (screen->invoke)
		(*screen->invoke)(screen, message, 0);
	return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s mc.so [message]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!library) {
		fprintf(stderr, "host: %s\n", dlerror());
		return 2;
	}
	txScreenLaunchProc launch = (txScreenLaunchProc)dlsym(library, "fxScreenLaunch");
	if (!launch) {
		fprintf(stderr, "host: no fxScreenLaunch in %s\n", argv[1]);
		return 2;
	}
	int width = 240, height = 240;
	txScreen *screen = calloc(1, sizeof(txScreen) - 1 + width * height * screenBytesPerPixel);
	screen->width = width;
	screen->height = height;
	screen->abort = onAbort;
	screen->bufferChanged = noop;
	screen->formatChanged = noopFormat;
	screen->post = onPost;
	/* An instrumented build samples (and resets the stack peak) whenever the second changes: never here,
	   so memory() on the lin board reports the peak since launch. */
	screen->instrumentTime = LONG_MAX;
	screen->start = onStart;
	screen->stop = onStop;
	mxCreateMutex(&screen->workersMutex);
	loop = g_main_loop_new(NULL, FALSE);
	launchedAt = now_ms();
	(*launch)(screen);
	if (!screen->machine) {
		fprintf(stderr, "host: the machine did not start\n");
		return 2;
	}
	printf("host: launched in %.1f ms\n", now_ms() - launchedAt);
	void *message[2] = { screen, argc > 2 ? argv[2] : NULL };
	if (message[1])
		g_idle_add(deliver, message);
	if (exitStatus == 3)
		g_main_loop_run(loop);
	fflush(stdout);
	/* The machine is not deleted: a run ends the process. */
	return exitStatus;
}
