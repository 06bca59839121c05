/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _HaulDownload    HaulDownload;
typedef struct _HaulRateLimiter HaulRateLimiter;
typedef struct _HaulResumeData  HaulResumeData;
typedef struct _HaulSegment     HaulSegment;

/* A file descriptor that closes itself (GLib 2.76's g_autofd is not in Debian 12). */
typedef int HaulFd;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (HaulFd, close, -1)

G_END_DECLS
