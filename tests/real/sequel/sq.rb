# Drive Sequel's TimestampMigrator as `sequel -m` would: DATABASE_URL names
# the database, argv[0] the command.
#   ruby sq.rb DIR up [TARGET]   apply (up to TARGET's version)
#   ruby sq.rb DIR current       exit 0 only if nothing is left to apply
require "sequel"
Sequel.extension :migration
db = Sequel.connect(ENV.fetch("DATABASE_URL"))
dir, cmd, target = ARGV
case cmd
when "up"
  opts = target ? { target: Integer(target) } : {}
  Sequel::TimestampMigrator.new(db, dir, opts).run
when "current"
  current = Sequel::Migrator.is_current?(db, dir)
  puts(current ? "current" : "pending")
  exit(current ? 0 : 1)
else
  abort "usage: sq.rb DIR up [TARGET] | current"
end
