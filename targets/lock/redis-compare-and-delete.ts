/**
 * A Redis lock's release as antirez specifies it: delete the key only if it still holds this holder's random value,
 * in one Lua script (Redis runs a script atomically, so no other client's SET lands between the GET and the DEL).
 * Replies 1 when it deleted the holder's key, 0 when the key was absent or someone else's. Shared by the Redis lock
 * targets (redlock runs it on every server).
 */
export const COMPARE_AND_DELETE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
