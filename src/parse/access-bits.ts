// The file accesses a call needs, as bits of a number (one per FILE_ACCESS_ORDER entry).

import { FILE_ACCESS_ORDER, type FileAccess } from "../model/resources.js";

export const ACCESS_BIT = Object.fromEntries(FILE_ACCESS_ORDER.map((a, i) => [a, 1 << i])) as Record<FileAccess, number>;
export const READ = ACCESS_BIT.read;
export const WRITE = ACCESS_BIT.write;
export const APPEND = ACCESS_BIT.append;
export const CREATE = ACCESS_BIT.create;
export const DELETE = ACCESS_BIT.delete;
export const EXEC = ACCESS_BIT.exec;
export const MAP = ACCESS_BIT.map;
export const LINK = ACCESS_BIT.link;
export const LOCK = ACCESS_BIT.lock;
export const STAT = ACCESS_BIT.stat;
