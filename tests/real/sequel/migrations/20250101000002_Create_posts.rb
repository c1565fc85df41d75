Sequel.migration do
  change do
    create_table(:posts) { Integer :id }
  end
end
