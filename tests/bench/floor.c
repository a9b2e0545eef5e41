/* The floor for a look-up as a whole process: open an LMDB environment
 * read-only, begin a read transaction, open the main database and do one
 * mdb_get.  Prints nothing and exits 0 (a missing key is not an error).
 *
 *   floor ENVDIR [KEY]
 */
#include <lmdb.h>
#include <string.h>

int main(int argc, char **argv)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val key, val;
	const char *k = argc > 2 ? argv[2] : "floor";

	if (argc < 2)
		return 2;
	if (mdb_env_create(&env) != 0)
		return 1;
	mdb_env_set_maxdbs(env, 64);
	if (mdb_env_open(env, argv[1], MDB_RDONLY, 0644) != 0)
		return 1;
	if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != 0)
		return 1;
	if (mdb_dbi_open(txn, NULL, 0, &dbi) != 0)
		return 1;
	key.mv_size = strlen(k);
	key.mv_data = (void *)k;
	(void)mdb_get(txn, dbi, &key, &val);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return 0;
}
