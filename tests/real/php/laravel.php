<?php
// Laravel's own migrator without a Laravel application, for the real
// round trip (tests/integration/t_real_php.sh): what "artisan migrate",
// "migrate:status" and a pending check do, through the classes artisan
// uses (Capsule Manager, Migrator, DatabaseMigrationRepository). The
// database: DB_CONNECTION=pgsql with PGHOST, PGPORT, PGUSER, PGPASSWORD
// and DB_DATABASE, or DB_CONNECTION=sqlite with DB_DATABASE the file.
//   php laravel.php up NAME     one batch: every pending file up to NAME
//   php laravel.php status      "ran NAME BATCH" or "pending NAME" per file
//   php laravel.php next-batch  the batch number the next run would write
//   php laravel.php check       exit 1 while a migration is pending
//   php laravel.php rollback    undo the last batch (migrate:rollback)
require 'Illuminate/Database/autoload.php';
require 'Illuminate/Filesystem/autoload.php';

use Illuminate\Container\Container;
use Illuminate\Database\Capsule\Manager as Capsule;
use Illuminate\Database\Migrations\DatabaseMigrationRepository;
use Illuminate\Database\Migrations\Migrator;
use Illuminate\Filesystem\Filesystem;
use Illuminate\Support\Facades\Facade;

$env = function (string $k): string {
    $v = getenv($k);
    if ($v === false || $v === '') {
        fwrite(STDERR, "laravel.php: $k is not set\n");
        exit(2);
    }
    return $v;
};
$driver = $env('DB_CONNECTION');
$conf = ['driver' => $driver, 'database' => $env('DB_DATABASE'), 'prefix' => ''];
if ($driver === 'pgsql') {
    $conf += ['host' => $env('PGHOST'), 'port' => $env('PGPORT'),
              'username' => $env('PGUSER'), 'password' => $env('PGPASSWORD'),
              'charset' => 'utf8', 'schema' => 'public'];
}

$app = new Container();
$capsule = new Capsule($app);
$capsule->addConnection($conf);
$capsule->setAsGlobal();
$db = $capsule->getDatabaseManager();
// what DatabaseServiceProvider binds, so the migrations' Schema facade works
$app->instance('db', $db);
Facade::setFacadeApplication($app);

$repo = new DatabaseMigrationRepository($db, 'migrations');
$migrator = new Migrator($repo, $db, new Filesystem());
$path = __DIR__ . '/database/migrations';
$files = $migrator->getMigrationFiles([$path]);

$pending = function () use ($repo, $files): array {
    $ran = $repo->repositoryExists() ? $repo->getRan() : [];
    return array_values(array_diff(array_keys($files), $ran));
};

switch ($argv[1] ?? '') {
case 'up':
    if (!$repo->repositoryExists()) {
        $repo->createRepository();
    }
    $until = $argv[2] ?? '';
    if (!isset($files[$until])) {
        fwrite(STDERR, "laravel.php: no migration file $until\n");
        exit(2);
    }
    $run = [];
    foreach ($pending() as $name) {
        if (strcmp($name, $until) <= 0) {
            $run[] = $files[$name];
        }
    }
    $migrator->run($run);
    break;
case 'status':
    $batches = $repo->repositoryExists() ? $repo->getMigrationBatches() : [];
    foreach (array_keys($files) as $name) {
        echo isset($batches[$name]) ? "ran $name {$batches[$name]}\n" : "pending $name\n";
    }
    break;
case 'next-batch':
    echo $repo->getNextBatchNumber(), "\n";
    break;
case 'check':
    $p = $pending();
    foreach ($p as $name) {
        echo "pending $name\n";
    }
    exit(count($p) ? 1 : 0);
case 'rollback':
    $migrator->rollback([$path]);
    break;
default:
    fwrite(STDERR, "usage: laravel.php up NAME | status | next-batch | check | rollback\n");
    exit(2);
}
