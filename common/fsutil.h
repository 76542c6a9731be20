/*
 * fsutil.h - small file-system helpers shared by the modules that keep
 * files in the data directory (keys, SQLite, RRD, node id).  Any thread.
 */
#ifndef COMMON_FSUTIL_H
#define COMMON_FSUTIL_H

/* mkdir -p: creates dir and its missing parents (mode 0755).  0 or -1
 * (errno set). */
int fs_mkdir_p(const char *dir);
/* mkdir -p of the directory part of a file's path. */
int fs_mkdir_parent(const char *path);

#endif
