/*
 * cli_help.h — the help text of every subcommand, shared by
 * `gang CMD --help`, `gang help CMD` and the man page (docs/gang.1 is
 * checked against these strings by a test).
 */
#ifndef GANG_CLI_CLI_HELP_H
#define GANG_CLI_CLI_HELP_H

#define GANG_HELP_EXIT_CODES \
	"exit status: 0 ok, 1 board(s) failed, 2 usage/profile/image error, 3 probe or USB,\n" \
	"             4 database, 5 internal error, 6 output file cannot be written\n"

#define GANG_HELP_COMMON_TARGET \
	"  --probe SEL         ST-Link by serial (24 hex digits) or USB port path (e.g. 1-4.2);\n" \
	"                      needed when more than one probe is attached\n" \
	"  --target PART       refuse any part other than PART (e.g. STM32F103RC)\n" \
	"  --connect MODE      auto (default) | normal | under-reset | hot-plug\n" \
	"  --swd-khz N         SWD clock (default 4000; the probe picks the nearest at or below)\n" \
	"  --log-level L       error | warn (default: notes such as \"connected under reset\") |\n" \
	"                      info (also the part, UID, connect mode and SWD clock) | debug; on stderr\n"

#define GANG_HELP_PROBES_SYN "list attached ST-Links, their firmware, target voltage, part and UID"
#define GANG_HELP_PROBES \
	"usage: gang probes [--json] [--no-target] [--verbose]\n\n" \
	"Lists every attached ST-Link: serial, model, firmware, USB port path, target voltage and,\n" \
	"when a board answers, its part and 96-bit UID; otherwise why not, in one sentence. Boards\n" \
	"are attached without reset (hot-plug) and left running, so listing never disturbs a running\n" \
	"fixture. No ST-Link attached exits 3.\n\n" \
	"  --json       one JSON array on stdout (\"error\": the sentence, \"detail\": the probe's answer)\n" \
	"  --no-target  do not touch the targets at all (USB information only)\n" \
	"  --verbose    add the probe's answer (status bytes) under a probe that has an error\n"

#define GANG_HELP_FLASH_SYN "program an image into one board (erase, program, verify)"
#define GANG_HELP_FLASH \
	"usage: gang flash FILE [--address A] [--erase mass|pages] [--verify crc|readback|none]\n" \
	"                       [--after run|reset|halt] [--probe SEL] [--target PART] [--connect MODE]\n" \
	"                       [--allow-unprotect] [--confirm-otp SENTENCE]\n\n" \
	"FILE is Intel HEX, Motorola S-record, ELF32, or raw binary (.bin needs --address).\n" \
	"  --address A        load address of a raw binary (default 0x08000000)\n" \
	"  --erase MODE       mass (default) or pages (only the pages or sectors the image touches;\n" \
	"                     \"sectors\" says the same)\n" \
	"  --verify MODE      crc (on-target CRC unit, default), readback (every byte), none\n" \
	"  --after MODE       run (default): reset and run the new firmware; reset; halt\n" \
	"  --allow-unprotect  a read-protected (RDP 1) chip is unprotected first, which mass-erases it\n" \
	"  --confirm-otp S    the image may write the one-time-programmable area (F2/F4/F7), which can\n" \
	"                     never be erased: S must be \"I understand OTP bytes can never be erased\"\n" \
	GANG_HELP_COMMON_TARGET

#define GANG_HELP_READ_SYN "read flash, SRAM, system memory, OTP or option bytes out to a binary file"
#define GANG_HELP_READ \
	"usage: gang read FILE [--address A] [--size N] [--probe SEL] [--target PART] [--connect MODE]\n\n" \
	"Reads N bytes at A into FILE (raw binary; written whole or not at all). A may lie in the main\n" \
	"flash (0x08000000), the SRAM (0x20000000), the system memory (the ST bootloader, with the\n" \
	"flash-size register and the UID), the OTP area with its lock bytes (F2/F4/F7), the data EEPROM\n" \
	"(L0/L1, 0x08080000) or the option bytes (F0/F1/F3 0x1FFFF800, F2/F4 0x1FFFC000, F7 0x1FFF0000,\n" \
	"L0/L1 0x1FF80000); 'gang parts' gives the flash and SRAM sizes. A range that is not memory on\n" \
	"the part is refused, naming the first such address.\n" \
	"  --address A   default 0x08000000 (decimal, 0x hex, or a k suffix for KiB)\n" \
	"  --size N      default: from A to the end of its memory (without --address: all the flash)\n" \
	GANG_HELP_COMMON_TARGET

#define GANG_HELP_ERASE_SYN "mass-erase a board, or erase the pages of an address range"
#define GANG_HELP_ERASE \
	"usage: gang erase [--address A --size N] [--probe SEL] [--target PART] [--connect MODE]\n\n" \
	"Without --address/--size the whole main flash is mass-erased; with them, exactly the pages\n" \
	"that the range touches (e.g. \"erased 1 page at 0x08000400-0x080007FF\").\n" \
	"  --address A   start of the range (in the main flash)\n" \
	"  --size N      its length in bytes\n" \
	GANG_HELP_COMMON_TARGET

#define GANG_HELP_OPTIONS_SYN "show or set option bytes (RDP, user bits, data, write protection)"
#define GANG_HELP_OPTIONS \
	"usage: gang options show [--json] [--probe SEL] ...\n" \
	"       gang options set [--rdp 0|0.5|1|2] [--wdg-sw 0|1] [--nrst-stop 0|1] [--nrst-stdby 0|1]\n" \
	"                        [--data0 N] [--data1 N] [--wrp none|P,P-Q,...] [--set FIELD=V]...\n" \
	"                        [--allow-unprotect]\n" \
	"                        [--confirm 'I understand this locks the chip forever'] [--probe SEL] ...\n\n" \
	"`set` is declarative: fields not given stay as they are; when nothing changes nothing is\n" \
	"written. Otherwise the option bytes are erased and rewritten, the chip is reset so they load,\n" \
	"and they are read back to confirm. RDP is applied last. RDP 1->0 mass-erases the chip and\n" \
	"needs --allow-unprotect; RDP 2 (F0/F3: permanent) needs --confirm with the exact sentence.\n" \
	"RDP 0.5 (L5/U5 only) needs TrustZone on (TZEN=1); 0.5->0 mass-erases like 1->0.\n" \
	"--set names any field of the chip's family as its reference manual does (nBOOT1=1 on F0/F3);\n" \
	"a field the family lacks is refused with the list of those it has.\n" \
	GANG_HELP_COMMON_TARGET

#define GANG_HELP_CHECK_SYN "validate a production profile without hardware and print its plan"
#define GANG_HELP_CHECK \
	"usage: gang check PROFILE [--db PATH]\n\n" \
	"Loads the profile and its image, validates them against the target part (every error names\n" \
	"file, line and key), and prints the plan: steps, pages to erase, bytes to program, the serial\n" \
	"number format with the next value, and the pool's state in the database (if it exists).\n\n" \
	"  --db PATH    database (default: db in gang.conf, else ~/.local/share/gang/gang.sqlite)\n"

#define GANG_HELP_RUN_SYN "production run: every ST-Link programs board after board"
#define GANG_HELP_RUN \
	"usage: gang run PROFILE [--probe SEL]... [--slots FILE] [--boards N] [--batch NAME]\n" \
	"                [--operator NAME] [--station NAME] [--db PATH] [--db-wait S] [--journal FILE]\n" \
	"                [--sync] [--rework] [--json] [--plain] [--log FILE] [--log-level L]\n\n" \
	"One worker per ST-Link (all attached, or those named with --probe). Each slot waits for a\n" \
	"board, runs the profile, shows PASS or FAIL with a sentence for the operator, waits for the\n" \
	"board to be removed, and repeats. Every attempt, step, serial number and chip UID is recorded\n" \
	"in the database. What a flag leaves unsaid comes from gang.conf (/etc/gang/gang.conf, then\n" \
	"~/.config/gang/gang.conf; see gang(1) CONFIGURATION).\n\n" \
	"  --probe SEL     only this ST-Link (serial or USB port path); repeat for several\n" \
	"  --slots FILE    slot labels: lines 'LABEL PROBE_SERIAL [USB_PATH]' (default: slots in gang.conf)\n" \
	"  --boards N      stop after N boards finished (pass or fail)\n" \
	"  --batch NAME    batch (lot) name recorded with every attempt (default: date-time)\n" \
	"  --operator NAME operator recorded with every attempt (default: operator in gang.conf)\n" \
	"  --station NAME  station recorded (default: the profile's, else gang.conf's, else the host name);\n" \
	"                  batch, operator and station are printable UTF-8, at most 64 bytes each\n" \
	"  --db PATH       database (default: db in gang.conf, else ~/.local/share/gang/gang.sqlite,\n" \
	"                  its directory made 0700)\n" \
	"  --db-wait S     how long a write waits while another program (a backup, a report, an\n" \
	"                  sqlite3 shell) holds the database, in seconds, 0-3600 (default 60);\n" \
	"                  the slots show 'database busy — waiting (N s)' meanwhile, and only a\n" \
	"                  longer lock stops them (exit 4)\n" \
	"  --journal FILE  central PostgreSQL database: the station's journal, where every attempt\n" \
	"                  record is written before it is delivered, in order and exactly once\n" \
	"                  (default with serial.lease: $XDG_STATE_HOME/gang/journal-STATION-HASH.db);\n" \
	"                  with a lease the station programs on while the server is out of reach\n" \
	"  --sync          panel mode: all slots start together once every slot holds a board\n" \
	"  --rework        program boards that already passed with this profile and image again\n" \
	"                  (recorded as rework); without it such a board is left as it is and\n" \
	"                  the slot shows 'already programmed (PASS date, serial N) — remove it'\n" \
	"  --json          JSON Lines events on stdout (schema in README), nothing else on stdout\n" \
	"  --plain         one plain line per event even on a terminal\n" \
	"  --log FILE      append the engineer's log (registers, status bytes) to FILE, created mode\n" \
	"                  0640, never through a symbolic link (default: log_dir/gang.log when gang.conf\n" \
	"                  names a log_dir; else stderr, but with the console, which owns the terminal,\n" \
	"                  $XDG_STATE_HOME/gang/gang.log)\n" \
	"  --log-level L   error | warn (default) | info | debug\n\n" \
	"Everything gang check checks, the slot file and the log file are checked before the\n" \
	"database is created or opened; PROFILE, its image and FILEs must be regular files.\n" \
	"At most 64 ST-Links are driven; with more attached the run says how many are ignored.\n" \
	"Ctrl-C (SIGINT/SIGTERM) once: no new boards, boards in progress finish. Twice: boards in\n" \
	"progress are aborted safely (recorded as aborted; their serials stay bound to them).\n"

#define GANG_HELP_REPORT_SYN "yield, failures, cycle times and throughput from the database"
#define GANG_HELP_REPORT \
	"usage: gang report [--batch B] [--since T] [--until T] [--format text|csv|json|html]\n" \
	"                   [--out FILE] [--db PATH] [--upgrade]\n\n" \
	"Where the numbers come from (database, gang version, time generated, selection, span) and\n" \
	"what was programmed per batch (profile, profile and image SHA-256, station, operator); the\n" \
	"failed boards (UID, serial, slot, probe, failing step, error, time): 'failed' when the\n" \
	"board's last finished attempt failed, 'failed, later passed' listed apart; boards,\n" \
	"first-pass yield (per board), attempt pass rate (per attempt), failures by error class and\n" \
	"failing step, per station, slot and probe, cycle time of passing attempts (min/median/p95/max),\n" \
	"passes per hour, and the serial numbers handed out. The database is opened read-only.\n\n" \
	"  --batch B     only attempts of batch B\n" \
	"  --since T     only attempts started at or after T\n" \
	"  --until T     only attempts started before T (a date alone includes that whole day)\n" \
	"  --format F    text (default), csv (one RFC 4180 table: section,key,metric,value; a cell\n" \
	"                starting with = + - @ gets a leading ' so spreadsheets never run it),\n" \
	"                json (one object), html (one self-contained page with charts)\n" \
	"  --out FILE    write to FILE instead of stdout (exit 6 if it cannot be written)\n" \
	"  --db PATH     database (default: db in gang.conf, else ~/.local/share/gang/gang.sqlite)\n" \
	"  --upgrade     apply the schema migrations a database left by an older gang needs\n" \
	"                first, as 'gang db upgrade' does (reports refuse it otherwise)\n\n" \
	"T is an ISO 8601 UTC time or date (2026-11-24, 2026-11-24T08:00:00Z).\n" \
	"An empty selection (e.g. an unknown batch) is reported as such and exits 0.\n" \
	"Definitions of every figure: docs/reports.md.\n"

#define GANG_HELP_PARTS_SYN "list the supported STM32 parts: family, DEV_ID, flash, SRAM, page size"
#define GANG_HELP_PARTS \
	"usage: gang parts [--json]\n\n" \
	"Lists every part gang can program: its name (as a profile's target and the engineer\n" \
	"commands' target option write it; an x stands for any letter), family, DEV_ID\n" \
	"(DBGMCU_IDCODE[11:0]), main flash and SRAM in KiB and the flash page size in bytes.\n" \
	"No probe is needed.\n\n" \
	"  --json   one JSON array on stdout\n"

#define GANG_HELP_HELP_SYN "show the help of a command: gang help COMMAND"
#define GANG_HELP_HELP \
	"usage: gang help [COMMAND]\n\n" \
	"Prints the help of COMMAND, the same text as 'gang COMMAND --help'; without COMMAND, the\n" \
	"list of commands ('gang --help'). The manual page (man gang) has all of it and more.\n"

#define GANG_HELP_TRACE_SYN "every attempt on one board, by serial number or chip UID"
#define GANG_HELP_TRACE \
	"usage: gang trace SERIAL|UID [--format text|json] [--db PATH]\n\n" \
	"Every attempt on one board, oldest first, with its steps, probe, slot, operator, station,\n" \
	"batch, profile and image hashes, option bytes, RDP level, connect mode, result and error,\n" \
	"and every serial ever bound to the board. The board is found by chip UID (24 hex digits,\n" \
	"any case), then serial text (GNG-202648-001000), then serial value (decimal), then a\n" \
	"scanned label's text (profile scan).\n\n" \
	"  --format F   text (default) or json (an array with one object per board)\n" \
	"  --db PATH    database (default: db in gang.conf, else ~/.local/share/gang/gang.sqlite)\n\n" \
	"Exit 1 when no board matches.\n"

#define GANG_HELP_SERIAL_SYN "list a serial pool, or void one of its serials with a reason"
#define GANG_HELP_SERIAL \
	"usage: gang serial list POOL [--state reserved|burned|voided] [--db PATH]\n" \
	"       gang serial void POOL VALUE --reason TEXT [--db PATH]\n\n" \
	"list prints every serial handed out from POOL, in value order: value, state, the board\n" \
	"(chip UID) it is bound to, the text rendered into the board, when it was burned and\n" \
	"voided, and why (the count goes to stderr).\n\n" \
	"void takes a serial out of use for good, reserved or burned: the row, its board and its\n" \
	"history stay; the value is never handed out again; its board gets a new serial on its\n" \
	"next run; a board being programmed with it fails instead of passing. VALUE is the serial's\n" \
	"number in the pool (the VALUE column of list); anything that is not a plain decimal number\n" \
	"is taken as the text rendered into the board (GNG-202648-001000) and looked up.\n\n" \
	"  --state S      list only reserved, burned or voided serials\n" \
	"  --reason TEXT  why the serial is voided (required; kept with it for audit)\n" \
	"  --db PATH      database (default db/gang.sqlite)\n\n" \
	"Exit 2 for an unknown pool or a value never handed out or already void (named in the\n" \
	"message), 4 when the database cannot be used.\n"

#define GANG_HELP_DB_SYN "database maintenance: apply the schema migrations, void a station's serial leases"
#define GANG_HELP_DB \
	"usage: gang db upgrade [--db PATH]\n" \
	"       gang db void-lease STATION|LEASE-ID --reason TEXT [--db PATH]\n" \
	"       gang db pending --journal FILE\n\n" \
	"upgrade applies the schema migrations the database needs for this gang, in one\n" \
	"transaction, and changes nothing else: an SQLite file (db/migrations/sqlite/) or a\n" \
	"PostgreSQL database (db/migrations/pg/: tables, and the gang_station and gang_engineer\n" \
	"roles; run it as the role that owns the schema). A database that is already current is\n" \
	"left alone. A missing SQLite file is not created. 'gang run' applies them too.\n\n" \
	"void-lease voids the serial leases a station holds on the central PostgreSQL database\n" \
	"(all live ones of STATION, or the one LEASE-ID), e.g. of a station that never comes back:\n" \
	"their values not bound to a board are never handed out; the lease rows keep the range,\n" \
	"when and why, for audit. Each voided lease is printed with its used and void counts.\n\n" \
	"pending reads a station's journal (gang run --journal) without the database: how many\n" \
	"attempt records wait for delivery to the central database, were delivered, or refused.\n\n" \
	"  --reason TEXT  why the leases are voided (void-lease; required, kept for audit)\n" \
	"  --journal FILE the station's journal (pending; required)\n" \
	"  --db PATH      database: an SQLite file, or a PostgreSQL connection string, URI\n" \
	"                 (postgresql://gang@db/gang) or key=value (\"host=db dbname=gang\")\n" \
	"                 (default: db in gang.conf, else ~/.local/share/gang/gang.sqlite)\n\n" \
	"Exit 2 when void-lease names no live lease, 4 when the database cannot be opened, is\n" \
	"newer than this gang, or has no leases (SQLite); pending exits 1 while records wait.\n"

#define GANG_HELP_POOL_SYN "import a supplier's values into a data pool, list a pool, void a value"
#define GANG_HELP_POOL \
	"usage: gang pool import NAME FILE [--secret] [--db PATH]\n" \
	"       gang pool list NAME [--state reserved|burned|voided] [--db PATH]\n" \
	"       gang pool void NAME INDEX --reason TEXT [--db PATH]\n\n" \
	"Data pools hand each board a value beyond its serial (profile key data): a MAC address\n" \
	"from a range (created by the first run) or the next value of a list imported here.\n\n" \
	"import reads FILE, one value per line: \"0x\" and pairs of hex digits is bytes, any other\n" \
	"line is text (its bytes, without the line end); blank lines and '#' lines are skipped.\n" \
	"All or nothing: a value twice in the file or already in the pool is refused naming\n" \
	"FILE:LINE. A later import appends. A secret pool's values are kept only in the database's\n" \
	"data_values table; attempts, logs, reports and list show their index and SHA-256.\n\n" \
	"list prints every value handed out, in index order: index, state, the board (chip UID),\n" \
	"the value (MAC, or hex of a list value; never a secret's), its SHA-256, burned, voided.\n\n" \
	"void takes a value out of use for good; its board gets the next value on its next run.\n\n" \
	"  --secret       import: the values are secret (keys); the pool stays secret\n" \
	"  --state S      list only reserved, burned or voided values\n" \
	"  --reason TEXT  why the value is voided (required; kept with it for audit)\n" \
	"  --db PATH      database (default: db in gang.conf, else ~/.local/share/gang/gang.sqlite)\n\n" \
	"Exit 2 for a refused import (FILE:LINE named), an unknown pool or an index never handed\n" \
	"out, 4 when the database cannot be used.\n"

#endif
