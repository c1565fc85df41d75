# ActiveRecord's own migrator without a Rails application, for the real
# round trip (tests/integration/t_real_rails.sh): what "rails db:migrate",
# "db:migrate:status" and "db:abort_if_pending_migrations" do, through
# MigrationContext. The database is $DATABASE_URL.
#   ruby ar.rb up VERSION    apply every migration up to VERSION
#   ruby ar.rb status        "up|down VERSION" per migration file
#   ruby ar.rb check         exit 1 while a migration is pending
require "active_record"

ActiveRecord::Base.establish_connection(ENV.fetch("DATABASE_URL"))
ActiveRecord::Migration.verbose = false
ctx = ActiveRecord::MigrationContext.new(File.join(__dir__, "db/migrate"),
                                         ActiveRecord::SchemaMigration)
case ARGV[0]
when "up"
  ctx.up(Integer(ARGV.fetch(1)))
when "status"
  ctx.migrations_status.each { |st, v, _name| puts "#{st} #{v}" }
when "check"
  exit(ctx.needs_migration? ? 1 : 0)
else
  abort "usage: ar.rb up VERSION | status | check"
end
