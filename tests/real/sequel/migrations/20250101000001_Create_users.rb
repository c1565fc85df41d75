Sequel.migration do
  change do
    create_table(:users) { Integer :id }
  end
end
