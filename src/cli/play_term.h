/* mixdown — the terminal under `mixdown play`'s full-screen view: raw
 * keyboard input (termios, no echo, no line buffering; Ctrl-C still sends
 * SIGINT), the alternate screen, and restoring all of it on every way out
 * (normal return, exit(), SIGTSTP/SIGCONT, and fatal signals, which are then
 * re-raised). Keys are decoded from ANSI/xterm escape sequences.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Control thread (the CLI's main loop) only; the restore path is
 * async-signal-safe (tcsetattr and write).
 */
#ifndef MIXDOWN_CLI_PLAY_TERM_H
#define MIXDOWN_CLI_PLAY_TERM_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { PLAY_KEY_NONE, PLAY_KEY_CHAR, PLAY_KEY_UP, PLAY_KEY_DOWN, PLAY_KEY_LEFT, PLAY_KEY_RIGHT,
	       PLAY_KEY_HOME } play_key_kind;

typedef struct {
	play_key_kind kind;
	int ch; /* PLAY_KEY_CHAR: the byte */
} play_key;

/* Raw mode on stdin (which must be a terminal) and the alternate screen on
 * stdout; false (nothing changed) if stdin is not a terminal. */
bool play_term_enter(void);
/* Back to the saved terminal state; idempotent. */
void play_term_restore(void);
/* Wait up to timeout_ms for input and decode the next key (kind NONE when
 * there was none, or an unknown sequence). */
play_key play_term_key(int timeout_ms);
/* Decode one key from n bytes; returns the bytes it used (0 when n == 0). */
size_t play_term_decode(const unsigned char *b, size_t n, play_key *k);
/* Columns and rows of the terminal on stdout (80x24 when unknown). */
void play_term_size(int *cols, int *rows);

#endif
