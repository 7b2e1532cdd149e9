/* mixdown — raw terminal mode, alternate screen and key decoding for the
 * view of `mixdown play` (play_term.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Escape sequences: ECMA-48 / xterm ("ESC [ A".."D" arrows, "ESC [ H",
 * "ESC [ 1 ~", "ESC [ 7 ~", "ESC O H" Home; "ESC O A".."D" in application
 * cursor mode).
 */
#include "play_term.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static volatile sig_atomic_t active; /* raw mode and alternate screen are on */
static unsigned char pend[64];
static size_t npend;

static const char enter_seq[] = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J"; /* alternate screen, hide cursor */
static const char leave_seq[] = "\x1b[?25h\x1b[?1049l";

static void write_all(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

void play_term_restore(void)
{
	if (!active)
		return;
	active = 0;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	write_all(leave_seq, sizeof leave_seq - 1);
}

static bool make_raw(void)
{
	struct termios raw = saved;
	/* No line buffering or echo; signals (Ctrl-C) and output processing stay. */
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) != 0)
		return false;
	write_all(enter_seq, sizeof enter_seq - 1);
	active = 1;
	return true;
}

/* Fatal signals: put the terminal back, then die as the signal meant. */
static void on_fatal(int sig)
{
	play_term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_cont(int sig);

/* Ctrl-Z: a normal terminal while stopped, raw again on SIGCONT. */
static void on_tstp(int sig)
{
	(void)sig;
	bool was = active;
	play_term_restore();
	signal(SIGTSTP, SIG_DFL);
	if (was)
		signal(SIGCONT, on_cont);
	raise(SIGTSTP);
}

static void on_cont(int sig)
{
	(void)sig;
	signal(SIGTSTP, on_tstp);
	signal(SIGCONT, SIG_DFL);
	make_raw();
}

bool play_term_enter(void)
{
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) != 0)
		return false;
	static bool registered;
	if (!registered) {
		atexit(play_term_restore);
		registered = true;
	}
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT };
	for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
		signal(fatal[i], on_fatal);
	signal(SIGTSTP, on_tstp);
	npend = 0;
	return make_raw();
}

size_t play_term_decode(const unsigned char *b, size_t n, play_key *k)
{
	*k = (play_key){ PLAY_KEY_NONE, 0 };
	if (!n)
		return 0;
	if (b[0] != 0x1b || n == 1) {
		*k = (play_key){ PLAY_KEY_CHAR, b[0] };
		return 1;
	}
	if (b[1] != '[' && b[1] != 'O') /* Alt+key: ignored */
		return 2;
	/* Parameters (digits, ';') then one final byte. */
	size_t i = 2;
	while (i < n && ((b[i] >= '0' && b[i] <= '9') || b[i] == ';'))
		i++;
	if (i >= n)
		return n; /* truncated: drop it */
	unsigned char fin = b[i];
	int param = i > 2 ? atoi((const char *)b + 2) : 0;
	switch (fin) {
	case 'A': k->kind = PLAY_KEY_UP; break;
	case 'B': k->kind = PLAY_KEY_DOWN; break;
	case 'C': k->kind = PLAY_KEY_RIGHT; break;
	case 'D': k->kind = PLAY_KEY_LEFT; break;
	case 'H': k->kind = PLAY_KEY_HOME; break;
	case '~':
		if (param == 1 || param == 7)
			k->kind = PLAY_KEY_HOME;
		break;
	default: break;
	}
	return i + 1;
}

play_key play_term_key(int timeout_ms)
{
	play_key k = { PLAY_KEY_NONE, 0 };
	if (!npend) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return k;
		ssize_t r = read(STDIN_FILENO, pend, sizeof pend);
		if (r <= 0)
			return k;
		npend = (size_t)r;
	}
	size_t used = play_term_decode(pend, npend, &k);
	memmove(pend, pend + used, npend - used);
	npend -= used;
	return k;
}

void play_term_size(int *cols, int *rows)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	} else {
		*cols = 80;
		*rows = 24;
	}
}
